import { type SceneSpec, TabletopEnv, type TaskEnv, TaskEnvPool } from '@roboalign/bench';

/**
 * The compiled scenes of one thread (the main thread or a worker), per image size: compiling costs tens of
 * milliseconds, a reset a few, so generators compile each scene once and reset it for every unit.
 */
export class EnvCache {
  private readonly taskPools = new Map<number, TaskEnvPool>();
  private readonly tabletops = new Map<string, Promise<TabletopEnv>>();

  /** A task environment of `scene` rendering `imageSize`² images. */
  taskEnv(scene: SceneSpec, imageSize: number): Promise<TaskEnv> {
    let pool = this.taskPools.get(imageSize);
    if (!pool) {
      pool = new TaskEnvPool({ imageSize });
      this.taskPools.set(imageSize, pool);
    }
    return pool.get(scene);
  }

  /** A bare tabletop of `scene` (no goal), rendering `imageSize`² images. */
  tabletop(scene: SceneSpec, imageSize: number): Promise<TabletopEnv> {
    const key = `${imageSize}:${JSON.stringify(scene)}`;
    let env = this.tabletops.get(key);
    if (!env) {
      env = TabletopEnv.create(scene, { imageSize });
      this.tabletops.set(key, env);
    }
    return env;
  }

  /** Frees every compiled scene. */
  async dispose(): Promise<void> {
    for (const pool of this.taskPools.values()) await pool.dispose();
    for (const env of await Promise.allSettled(this.tabletops.values()))
      if (env.status === 'fulfilled') env.value.dispose();
    this.taskPools.clear();
    this.tabletops.clear();
  }
}
