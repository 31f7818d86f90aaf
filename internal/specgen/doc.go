// Package specgen writes synthetic envc specs of any size, for benchmarks
// and scaling tests. It is not part of the product: nothing outside tests,
// benchmarks and the specgen command imports it.
//
// Two families of spec are generated, both valid on every target:
//
//   - Scale(n) is the preCICE example (examples/precice) repeated n times
//     inside one environment: n variables with a validation rule, n locals,
//     13n packages, 3n env vars, 3n setup steps and n mounts, each string
//     interpolating the variables and locals as the example does.
//   - Large() is the large recipe of the performance goals: 10,000
//     packages, 2,000 env vars, 500 ports, 500 mounts and 500 setup steps.
//
// The output is deterministic and in canonical layout (envc fmt leaves it
// unchanged), so a generated spec can be committed or diffed.
package specgen
