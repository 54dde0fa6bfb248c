/**
 * The group commit behind the returning login's session-key write (server/utils/group-commit.ts):
 * what is batched together, in which order, and who hears about a failure.
 */
import { createGroupCommit } from '../server/utils/group-commit';

type Batch = Array<[string, number]>;

/** A flush that records its batches and finishes when the test says so. */
function controlledFlush() {
  const batches: Batch[] = [];
  const finish: Array<(error?: Error) => void> = [];
  let running = 0;
  let overlapped = false;
  const flush = (batch: ReadonlyMap<string, number>) => {
    batches.push([...batch]);
    running += 1;
    if (running > 1) overlapped = true;
    return new Promise<void>((resolve, reject) => {
      finish.push((error) => {
        running -= 1;
        if (error) reject(error);
        else resolve();
      });
    });
  };
  return { flush, batches, finish, overlapped: () => overlapped };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/** Which of these promises have settled, and how. */
function track(promises: Array<Promise<void>>) {
  const states: string[] = promises.map(() => 'pending');
  promises.forEach((promise, i) => {
    promise.then(
      () => {
        states[i] = 'done';
      },
      (error: Error) => {
        states[i] = `failed: ${error.message}`;
      }
    );
  });
  return states;
}

test('writes made in one event-loop turn go out as one batch, and nobody hears back before it is committed', async () => {
  const { flush, batches, finish } = controlledFlush();
  const commit = createGroupCommit(flush, { maxBatch: 10 });
  const states = track([commit.write('a', 1), commit.write('b', 2), commit.write('c', 3)]);
  expect(batches).toEqual([]);
  await nextTurn();
  expect(batches).toEqual([
    [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ],
  ]);
  await nextTurn();
  expect(states).toEqual(['pending', 'pending', 'pending']);
  finish[0]();
  await nextTurn();
  expect(states).toEqual(['done', 'done', 'done']);
});

test('one key written twice in a batch: the later value is stored and both callers wait for it', async () => {
  const { flush, batches, finish } = controlledFlush();
  const commit = createGroupCommit(flush, { maxBatch: 10 });
  const states = track([commit.write('a', 1), commit.write('b', 2), commit.write('a', 3)]);
  await nextTurn();
  expect(batches).toEqual([
    [
      ['a', 3],
      ['b', 2],
    ],
  ]);
  finish[0]();
  await nextTurn();
  expect(states).toEqual(['done', 'done', 'done']);
});

test('writes made while a batch is being written form the next batch, written after it, never beside it', async () => {
  const { flush, batches, finish, overlapped } = controlledFlush();
  const commit = createGroupCommit(flush, { maxBatch: 10 });
  const first = track([commit.write('a', 1)]);
  await nextTurn();
  const second = track([commit.write('a', 2), commit.write('b', 1)]);
  await nextTurn();
  await nextTurn();
  // The first batch is still being written: the second waits for it.
  expect(batches).toHaveLength(1);
  finish[0]();
  await nextTurn();
  await nextTurn();
  expect(first).toEqual(['done']);
  expect(batches).toEqual([
    [['a', 1]],
    [
      ['a', 2],
      ['b', 1],
    ],
  ]);
  expect(second).toEqual(['pending', 'pending']);
  finish[1]();
  await nextTurn();
  expect(second).toEqual(['done', 'done']);
  expect(overlapped()).toBe(false);
});

test('a failed batch is written again entry by entry: only the callers whose own write fails hear of it', async () => {
  const { flush, batches, finish } = controlledFlush();
  const commit = createGroupCommit(flush, { maxBatch: 10 });
  const states = track([commit.write('a', 1), commit.write('b', 2)]);
  await nextTurn();
  const later = track([commit.write('c', 3)]);
  finish[0](new Error('deadlock detected'));
  await nextTurn();
  finish[1]();
  await nextTurn();
  finish[2](new Error('row is gone'));
  await nextTurn();
  await nextTurn();
  expect(states).toEqual(['done', 'failed: row is gone']);
  expect(batches.slice(0, 3)).toEqual([
    [
      ['a', 1],
      ['b', 2],
    ],
    [['a', 1]],
    [['b', 2]],
  ]);
  // The writes that came meanwhile are the next batch, after the retries.
  expect(batches[3]).toEqual([['c', 3]]);
  finish[3]();
  await nextTurn();
  expect(later).toEqual(['done']);
});

test('more writes than maxBatch are split into batches of at most maxBatch, in the order they came', async () => {
  const { flush, batches, finish } = controlledFlush();
  const commit = createGroupCommit(flush, { maxBatch: 2 });
  const states = track(['a', 'b', 'c', 'd', 'e'].map((key, i) => commit.write(key, i)));
  for (let i = 0; i < 3; i += 1) {
    await nextTurn();
    await nextTurn();
    finish[i]();
  }
  await nextTurn();
  expect(batches.map((batch) => batch.map(([key]) => key))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  expect(states).toEqual(['done', 'done', 'done', 'done', 'done']);
});

test('a flush that throws synchronously fails its callers instead of escaping', async () => {
  const commit = createGroupCommit<string, number>(
    () => {
      throw new Error('bad statement');
    },
    { maxBatch: 4 }
  );
  await expect(commit.write('a', 1)).rejects.toThrow('bad statement');
  // And the next write still gets its own attempt.
  await expect(commit.write('b', 1)).rejects.toThrow('bad statement');
});
