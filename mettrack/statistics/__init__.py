"""Statistics for the partnership's board: the exploitation list and the operational figures."""
