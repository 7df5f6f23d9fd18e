// Filled in by the benchmark step.
