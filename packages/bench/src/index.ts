export { compileMjcf, mujoco, type Physics } from './sim/mujoco.js';
export { RayCastCamera } from './sim/ray-cast-camera.js';
export {
  type FixtureSet,
  GEOMETRY,
  type MovableSpec,
  type Rgb,
  type SceneSpec,
  sceneXml,
} from './sim/scene-xml.js';
export { HOME, type Layout, TabletopEnv, type TabletopOptions, type Vec3 } from './sim/tabletop-env.js';
export * from './types.js';
