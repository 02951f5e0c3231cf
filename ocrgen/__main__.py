"""`python -m ocrgen`: the `ocrgen` command, for environments whose scripts directory is not on PATH."""

from ocrgen.cli import main

main(prog_name="ocrgen")
