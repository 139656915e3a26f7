#!/usr/bin/env bash
# Seeds fuzz/corpus/TARGET from the sample ledger, for `cargo fuzz run -s none TARGET`:
# partnership files, configurations, and for check_repo each partnership's history as commits.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sample="$here/../sample-ledger"
corpus="$here/corpus"
mkdir -p "$corpus/parse_file" "$corpus/parse_config" "$corpus/config_rules" "$corpus/check_repo"

for file in "$sample"/history/*/*.md "$sample"/partners/*/*.md; do
    name=$(echo "${file#"$sample"/}" | tr / -)
    cp "$file" "$corpus/parse_file/$name"
done

every_rule="$corpus/parse_config/every-rule.yaml"
cat >"$every_rule" <<'YAML'
rapport: 1
paths: [partners]
ladder: [executive, director, manager, staff]
redact: [terms.price]
rules:
  stale-acknowledgement: { enabled: true }
  value-gap: { min_ratio: 1.0, window_days: 180, error_ratio: 0.5, error_after_days: 365 }
  targets-missed: { min_attainment: 0.5 }
  no-early-wins: { window_days: 120 }
  plan-not-agreed: { severity: error }
  tension-rising: { recent_days: 90, min_factor: 2.0, min_recent_hits: 3, min_earlier_chars: 100 }
  satisfaction-decline: { min_drop: 0.5 }
  no-success-metrics: { stale_days: 120 }
  vendor-centric: { open_days: 90, min_offers: 1 }
  partner-unresponsive: { open_days: 30, close_factor: 2.0, min_closed: 4 }
  partner-turnover: { window_days: 180, min_departures: 2, primary_changes: 2 }
  partner-distress: { within_days: 365 }
  support-degrading: { rising_versions: 3 }
  payment-terms-slip: { error_factor: 2.0, error_days: 90 }
  price-cut: { min_cut: 0.25, error_cut: 0.5 }
  late-payment: { grace_days: 0, error_days: 90 }
  scope-drift: { min_commits: 3, window_days: 180, min_similarity: 0.6 }
  scope-undefined: { enabled: false }
  contact-downgrade: { error_levels: 2, senior_level: director, recent_meetings: 3 }
  meeting-cadence-drop: { factor: 2.0, min_earlier_meetings: 3, max_silence_days: 90 }
  effort-disproportion: { min_increase: 0.5, window_days: 180 }
vocabulary:
  tension: [escalation, 推诿]
YAML
cp "$sample/rapport.yaml" "$corpus/parse_config/sample.yaml"
cp "$corpus/parse_config/"*.yaml "$corpus/config_rules/"

# check_repo: `PATH SECONDS` header lines, contents, `%%%` between commits.
seconds=1690000000
for dir in "$sample"/history/*/; do
    id=$(basename "$dir")
    out="$corpus/check_repo/$id"
    : >"$out"
    first=1
    for version in "$dir"*.md; do
        [ "$first" = 1 ] || printf '\n%%%%%%\n' >>"$out"
        first=0
        seconds=$((seconds + 2592000))
        printf '%s %s\n' "$id" "$seconds" >>"$out"
        cat "$version" >>"$out"
    done
done
{
    printf 'rapport.yaml\n'
    cat "$every_rule"
    printf '\n%%%%%%\nkestrel\n'
    cat "$sample/partners/resellers/kestrel.md"
} >"$corpus/check_repo/with-config"
