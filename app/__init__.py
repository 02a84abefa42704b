"""drillbit: practise systems and edge-network engineering interviews in the terminal."""

__version__ = "0.1.0"
