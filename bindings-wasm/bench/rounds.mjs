// The timing shared by bench.mjs in Node and browser-page.mjs in Chromium: paired, interleaved
// rounds, reported as medians.

export async function rate(fn, ms) {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    for (let i = 0; i < 10; i++) await fn();
    n += 10;
  }
  return (n * 1000) / (performance.now() - start);
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Rounds that interleave the contenders, so that load from elsewhere hits all alike, `seconds` per
 * contender in all. Prints each contender's median rate, and returns `ratio(a, b)`: the median over
 * rounds of a's rate over b's in the same round, steadier than a ratio of medians on a shared machine.
 */
export async function compare(title, contenders, seconds, print = console.log) {
  const rounds = 7;
  const rates = contenders.map(() => []);
  for (const [, fn] of contenders) for (let i = 0; i < 5; i++) await fn();
  for (let round = 0; round < rounds; round++) {
    for (const [i, [, fn]] of contenders.entries()) rates[i].push(await rate(fn, (seconds * 1000) / rounds));
  }
  print(`\n${title}`);
  for (const [i, [name]] of contenders.entries()) print(`  ${name.padEnd(62)} ${median(rates[i]).toFixed(0).padStart(7)} /s`);
  return { ratio: (a, b) => median(rates[a].map((r, round) => r / rates[b][round])) };
}
