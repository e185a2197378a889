import loadMujoco, { type MainModule, type MjData, type MjModel } from 'mujoco-js';
import { BenchError } from '../errors.js';

let modulePromise: Promise<MainModule> | undefined;
let fileCounter = 0;

/** The MuJoCo WebAssembly module, loaded once per thread. */
export function mujoco(): Promise<MainModule> {
  modulePromise ??= loadMujoco().then((mj) => {
    mj.FS.mkdir('/scenes');
    return mj;
  });
  return modulePromise;
}

/** A compiled model with its data; `dispose` frees the WebAssembly memory. */
export interface Physics {
  readonly mj: MainModule;
  readonly model: MjModel;
  readonly data: MjData;
  dispose(): void;
}

/** Compiles MJCF text through MuJoCo's in-memory file system. */
export async function compileMjcf(xml: string): Promise<Physics> {
  const mj = await mujoco();
  const path = `/scenes/scene-${fileCounter++}.xml`;
  mj.FS.writeFile(path, xml);
  let model: MjModel;
  try {
    model = mj.MjModel.loadFromXML(path);
  } catch (error) {
    throw new BenchError(
      `MuJoCo could not compile the scene: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    mj.FS.unlink(path);
  }
  const data = new mj.MjData(model);
  return {
    mj,
    model,
    data,
    dispose() {
      data.delete();
      model.delete();
    },
  };
}
