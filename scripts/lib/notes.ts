// Sentences that a script's report and docs/paper.md share, computed from the figures.

/** What the 12 least important features' accuracy says, against the majority class and the paper's 57.82%. */
export function least12Note(acc: number, majority: number): string {
  return acc > majority + 0.1
    ? `Ours, ${(100 * acc).toFixed(2)}%, is far above both: BSF ranks a feature low when another carries the same information (the penalty keeps one copy), so in a redundant dataset like KDD99 the last-ranked features are redundant, not empty. The paper's 57.82% is what a classifier that learned nothing from its input scores.`
    : `Ours, ${(100 * acc).toFixed(2)}%, agrees: the last-ranked features carry little beyond the class frequencies.`;
}
