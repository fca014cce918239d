"""
C{python -m torsion}: the C{torsion} command (see L{torsion.application.twist}).
"""

from torsion.application.twist import Twist

if __name__ == "__main__":
    Twist.main()
