from postcal.cli import run

run()
