# Placeholder written for the envc corpus: stands for the package's R sources.
