// Prints a table of figures to the console, as the benchmarks report them: the first column
// left-aligned, the others right-aligned, three spaces apart.

/**
 * @param {string[]} header
 * @param {string[][]} rows
 */
export function table(header, rows) {
  const widths = header.map((_, col) =>
    Math.max(...[header, ...rows].map(row => (row[col] ?? '').length))
  )
  for (const row of [header, ...rows]) {
    const cells = row.map((cell, col) =>
      col === 0 ? cell.padEnd(widths[col] ?? 0) : cell.padStart(widths[col] ?? 0)
    )
    console.log(`   ${cells.join('   ')}`.trimEnd())
  }
}
