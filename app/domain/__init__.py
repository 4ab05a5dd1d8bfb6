"""Pure arithmetic of the tracker: periods, units and progress. No database, no HTTP."""
