/**
 * What a test measured (throughput, a plateau, a chaos kill schedule), for a reader tuning
 * or investigating: printed only with SLUICE_TEST_NOTES=1, so a passing run stays quiet and
 * a failing run shows its failures, not pages of figures. What a failure needs in order to
 * be understood (a seed, the count that was wrong) belongs in the assertion or the test
 * name instead, where it is printed exactly when it matters.
 */
export function note(text: string): void {
  if (process.env.SLUICE_TEST_NOTES === '1') process.stderr.write(`${text}\n`);
}
