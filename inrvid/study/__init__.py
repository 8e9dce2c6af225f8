"""`inrvid study`: variants x seeds of a base recipe, run locally or as a SLURM array.

- `spec`: the study file (validated, every problem located);
- `plan`: every (variant, seed) as a validated recipe and a run folder;
- `execute`: one run brought to completion (skip, resume or start; then the prediction score);
- `local`: N runs at a time on this machine; `slurm`: a job-array script;
- `command`: the command itself. The aggregation is `inrvid.evaluation.study_report`.
"""
