from postcal.cli import main

main()
