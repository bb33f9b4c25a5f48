/** Counts in words, for every place a number of things is shown: "1 file", "2 files", never "2 file(s)". */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
