// Asks @cloud-copilot/iam-simulate (pinned in package.json) for the verdict on each simulation.
// Input (stdin): a JSON array of [id, simulation]. Output (stdout): a JSON array of
// [id, code, detail] where code is A (Allowed), E (ExplicitlyDenied), I (ImplicitlyDenied)
// or X (the simulator rejected the input; detail says why). detail also lists context keys
// the simulator ignored for the action, which would make the comparison meaningless.
import { readFileSync } from 'node:fs'
import { runSimulation } from '@cloud-copilot/iam-simulate'

const CODES = { Allowed: 'A', ExplicitlyDenied: 'E', ImplicitlyDenied: 'I' }
const input = JSON.parse(readFileSync(0, 'utf8'))
const out = []
for (const [id, simulation] of input) {
  const response = await runSimulation(simulation, { simulationMode: 'Strict' })
  if (response.resultType === 'error') {
    out.push([id, 'X', JSON.stringify(response.errors)])
    continue
  }
  const results = response.resultType === 'single' ? [response.result] : response.results
  const ignored = [...new Set(results.flatMap((r) => r.ignoredContextKeys ?? []))]
  out.push([id, CODES[response.overallResult] ?? 'X', ignored.length ? `ignored ${ignored}` : ''])
}
process.stdout.write(JSON.stringify(out))
