import multiprocessing
import sys

from desktop.cli import main

if __name__ == "__main__":  # a spawned child (text extraction) imports this module too: do nothing there
    multiprocessing.freeze_support()  # a frozen (PyInstaller) build starts its children through here
    sys.exit(main())
