import sys

from bot.cli import main

if __name__ == "__main__":  # not when a child process imports this module (spawn)
    sys.exit(main())
