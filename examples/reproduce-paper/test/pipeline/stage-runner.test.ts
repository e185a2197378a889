import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStageRecord, StageError, StageRunner } from '../../src/pipeline/stage-runner.js';

/** Runs data → tokenizer → base with counters, as the pipeline chains them. */
async function chain(
  out: string,
  config: { data: number; tokenizer: number },
  from?: 'tokenizer',
  code = 'code-1',
) {
  const runs: string[] = [];
  const runner = new StageRunner(out, { code, from });
  const stage = (name: 'data' | 'tokenizer' | 'base', cfg: unknown, inputs: Array<'data' | 'tokenizer'>) =>
    runner.run(name, cfg, inputs, async () => {
      runs.push(name);
      return { name };
    });
  await stage('data', config.data, []);
  await stage('tokenizer', config.tokenizer, ['data']);
  await stage('base', 0, ['tokenizer']);
  return runs;
}

describe('StageRunner', () => {
  it("keeps an interrupted stage's finished units for the rerun, and drops them when --from forces it", async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    const computed: string[] = [];
    const stage = (from?: 'tokenizer', failAfter?: string) =>
      new StageRunner(out, { code: 'c', from }).run('tokenizer', 1, [], async (_hash, memo) => {
        const values: string[] = [];
        for (const unit of ['a', 'b']) {
          values.push(
            await memo.run(unit, async () => {
              computed.push(unit);
              return unit.toUpperCase();
            }),
          );
          if (unit === failAfter) throw new Error('killed');
        }
        return values;
      });
    await expect(stage(undefined, 'a')).rejects.toThrow('killed');
    expect(await stage()).toEqual(['A', 'B']);
    expect(computed).toEqual(['a', 'b']);
    expect(await stage('tokenizer')).toEqual(['A', 'B']);
    expect(computed).toEqual(['a', 'b', 'a', 'b']);
  });

  it('does no work on a re-run with unchanged configuration', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    expect(await chain(out, { data: 1, tokenizer: 1 })).toEqual(['data', 'tokenizer', 'base']);
    expect(await chain(out, { data: 1, tokenizer: 1 })).toEqual([]);
    const record = JSON.parse(await readFile(join(out, 'stages', 'base.json'), 'utf8'));
    expect(record).toMatchObject({ stage: 'base', code: 'code-1', value: { name: 'base' } });
  });

  it('records the machine a stage ran on, and a skipping re-run reports that machine, not its own', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    const first = new StageRunner(out, { code: 'c', machine: 'CPU A, 2 cores, avx2 fma' });
    await first.run('data', 1, [], async () => 1);
    const second = new StageRunner(out, { code: 'c', machine: 'CPU B, 4 cores, avx512f' });
    await second.run('data', 1, [], async () => 1);
    await second.run('tokenizer', 1, ['data'], async () => 2);
    const provenance = second.provenance();
    expect(provenance.data.machine).toBe('CPU A, 2 cores, avx2 fma');
    expect(provenance.tokenizer.machine).toBe('CPU B, 4 cores, avx512f');
    expect(provenance.data.code).toBe('c');
    const record = JSON.parse(await readFile(join(out, 'stages', 'data.json'), 'utf8'));
    expect(record.machine).toBe('CPU A, 2 cores, avx2 fma');
  });

  it('reruns every stage when the code changes, even with the same configuration', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    await chain(out, { data: 1, tokenizer: 1 });
    expect(await chain(out, { data: 1, tokenizer: 1 }, undefined, 'code-2')).toEqual([
      'data',
      'tokenizer',
      'base',
    ]);
    expect(await chain(out, { data: 1, tokenizer: 1 }, undefined, 'code-2')).toEqual([]);
  });

  it('reruns a changed stage and every stage that reads it, not the ones before', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    await chain(out, { data: 1, tokenizer: 1 });
    expect(await chain(out, { data: 1, tokenizer: 2 })).toEqual(['tokenizer', 'base']);
    expect(await chain(out, { data: 2, tokenizer: 2 })).toEqual(['data', 'tokenizer', 'base']);
  });

  it('forces a stage and the later ones with --from', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    await chain(out, { data: 1, tokenizer: 1 });
    expect(await chain(out, { data: 1, tokenizer: 1 }, 'tokenizer')).toEqual(['tokenizer', 'base']);
  });

  it('resumes after an interruption: a stage that failed left no record and runs again', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stages-'));
    const runner = new StageRunner(out, { code: 'code-1' });
    await runner.run('data', 1, [], async () => 1);
    await expect(
      runner.run('tokenizer', 1, ['data'], async () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow(StageError);
    await expect(runner.run('tokenizer', 1, ['data'], async () => 2)).resolves.toBe(2);
    await expect(runner.run('base', 1, ['sft-fast'], async () => 3)).rejects.toThrow(
      /reads sft-fast, which has not run/,
    );
  });
});

describe('readStageRecord', () => {
  it('reads the record a run wrote and names the file of a stage that has not run', async () => {
    const out = await mkdtemp(join(tmpdir(), 'stage-record-'));
    await new StageRunner(out, { code: 'c' }).run('data', {}, [], async () => ({ rows: 3 }));
    expect((await readStageRecord<{ rows: number }>(out, 'data')).value).toEqual({ rows: 3 });
    await expect(readStageRecord(out, 'tokenizer')).rejects.toThrow(
      `no finished tokenizer stage in ${out} (${join(out, 'stages', 'tokenizer.json')} is missing)`,
    );
  });
});
