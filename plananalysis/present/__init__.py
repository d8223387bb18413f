"""How results look: charts, styled tables."""
