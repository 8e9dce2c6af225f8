"""inrvid.evaluation."""
