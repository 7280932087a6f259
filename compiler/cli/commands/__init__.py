"""One module per `mlops` subcommand, each with `add_arguments(parser)` and `run(args) -> int`."""
