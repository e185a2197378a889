import { isFloat } from './dtype.js';
import { GraphError } from './errors.js';
import type { Value } from './graph.js';
import { add, VJP_RULES, zeros } from './ops.js';
import { fmt, sizeOf } from './shape.js';

/**
 * Reverse-mode differentiation that emits the backward pass as more nodes of the same graph.
 *
 * With no `seeds`, `outputs` must be one scalar (a loss) and its seed is 1. With `seeds`, each output's
 * gradient is the given value (typically a graph input fed at run time, e.g. ∂loss/∂log-prob from a GRPO
 * objective): a vector-Jacobian product. Returns the gradient of the sum of outputs·seeds with respect to
 * each of `wrt` (zeros where no path exists).
 */
export function gradients(
  outputs: Value | readonly Value[],
  wrt: readonly Value[],
  seeds?: readonly Value[],
): Value[] {
  const outs: readonly Value[] = Array.isArray(outputs) ? (outputs as readonly Value[]) : [outputs as Value];
  if (outs.length === 0) throw new GraphError('gradients: no outputs');
  const graph = outs[0].graph;
  const grads = new Map<string, Value>();
  if (seeds === undefined) {
    if (outs.length !== 1 || sizeOf(outs[0].shape) !== 1) {
      throw new GraphError(
        `gradients: without seeds the output must be one scalar, got ${outs.map((o) => fmt(o.shape)).join(', ')}`,
      );
    }
    grads.set(
      outs[0].name,
      graph.constant(
        outs[0].dtype === 'float64' ? Float64Array.of(1) : Float32Array.of(1),
        outs[0].shape,
        outs[0].dtype,
      ),
    );
  } else {
    if (seeds.length !== outs.length)
      throw new GraphError(`gradients: ${seeds.length} seeds for ${outs.length} outputs`);
    outs.forEach((o, i) => {
      const s = seeds[i];
      if (
        s.dtype !== o.dtype ||
        s.shape.length !== o.shape.length ||
        s.shape.some((d, k) => d !== o.shape[k])
      ) {
        throw new GraphError(`gradients: seed ${s.toString()} does not match output ${o.toString()}`);
      }
      grads.set(o.name, s);
    });
  }

  // Only nodes on a path from `wrt` need gradients.
  const relevant = new Set(wrt.map((w) => w.name));
  for (const node of graph.nodes) {
    if (node.inputs.some((v) => relevant.has(v.name))) for (const o of node.outputs) relevant.add(o.name);
  }
  const nodes = [...graph.nodes];
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    const gy = grads.get(node.outputs[0].name);
    if (gy === undefined || !relevant.has(node.outputs[0].name)) continue;
    const rule = VJP_RULES.get(node.op);
    if (rule === undefined) {
      if (node.op.startsWith('plain.')) continue; // shapes, masks, casts: no gradient flows
      throw new GraphError(`gradients: op ${node.op} has no VJP rule`);
    }
    const inputGrads = rule(node, gy);
    node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (g === null || g === undefined || !relevant.has(input.name) || !isFloat(input.dtype)) return;
      const prev = grads.get(input.name);
      grads.set(input.name, prev === undefined ? g : add(prev, g));
    });
  }
  return wrt.map((w) => grads.get(w.name) ?? zeros(w, w.shape));
}
