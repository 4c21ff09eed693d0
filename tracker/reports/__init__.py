"""Four-way counts, late agencies and (later) indicators, rankings and exports."""
