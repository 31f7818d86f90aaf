# Julia packages as data: Pkg.add with the image's julia into a depot
# every user reads. The Julia registry is not reachable from the build
# machines, so this case is checked by the parsers and read-backs only.
environment "jl" {
  base = "julia:1.11.6"
  user = "sim"

  julia {
    packages = ["JSON", "DataFrames@1.7.0"]
  }

  run = ["julia", "-e", "using JSON; println(JSON.json([1, 2]))"]
}
