#!/usr/bin/env bash
# Validates the CI templates: every Kubernetes manifest in ci/kubernetes against the Kubernetes
# OpenAPI schema of a pinned version (kubernetes-validate carries the schemas, so nothing is
# fetched; --strict refuses fields the API does not have), and every GitHub workflow in
# ci/github as YAML with the keys a workflow needs. A manifest broken on purpose must be
# refused, so the check is known to bite. ci/test.sh runs this.
set -euo pipefail
cd "$(dirname "$0")/.."

kubernetes=${KUBERNETES_VERSION:-1.33.0}
if ! python3 -c "import kubernetes_validate" 2>/dev/null || [ "$(kubernetes-validate --version 2>/dev/null)" != "1.37.0" ]; then
  python3 -m pip install --quiet 'kubernetes-validate==1.37.0'
fi

for manifest in ci/kubernetes/*.yaml; do
  kubernetes-validate --strict --quiet -k "$kubernetes" "$manifest"
  echo "valid against Kubernetes $kubernetes: $manifest"
done

broken=$(mktemp --suffix=.yaml)
trap 'rm -f "$broken"' EXIT
# A misspelt field (parallelizm) in the soak Job.
sed 's/^  parallelism: /  parallelizm: /' ci/kubernetes/nightly-soak.yaml > "$broken"
if kubernetes-validate --strict --quiet -k "$kubernetes" "$broken" >/dev/null 2>&1; then
  echo "validate-templates: a manifest with a misspelt field passed; the validator does not bite" >&2
  exit 1
fi

python3 - ci/github/*.yml <<'PY'
import sys, yaml
for path in sys.argv[1:]:
    workflow = yaml.safe_load(open(path))
    # PyYAML reads the key `on` as True.
    on = workflow.get("on", workflow.get(True))
    assert isinstance(workflow.get("name"), str), f"{path}: no name"
    assert on, f"{path}: no 'on'"
    jobs = workflow.get("jobs")
    assert isinstance(jobs, dict) and jobs, f"{path}: no jobs"
    for name, job in jobs.items():
        assert "runs-on" in job, f"{path}: job {name} has no runs-on"
        assert isinstance(job.get("steps"), list) and job["steps"], f"{path}: job {name} has no steps"
        for need in ([job["needs"]] if isinstance(job.get("needs"), str) else job.get("needs", [])):
            assert need in jobs, f"{path}: job {name} needs unknown job {need}"
    print(f"well-formed workflow: {path}")
PY
