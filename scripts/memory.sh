#!/usr/bin/env bash
# Peak memory (maximum resident set, from /usr/bin/time -v) of the inputs the hardening issue
# named: long records, endless lines, a huge line, and the evidence report over many rows.
# Inputs are generated here (deterministic), in a temporary folder. Usage:
#   cargo build --release && scripts/memory.sh [path/to/cuishou]
set -euo pipefail
bin="${1:-$(dirname "$0")/../target/release/cuishou}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
python3 - "$dir" <<'PY'
import sys, os
d = sys.argv[1]
unit = "不还钱就爆你通讯录，明天上门找你家人。"  # 18 characters
def long_rows(n, path):
    with open(path, "w", encoding="utf-8") as f:
        f.write("id,text\n")
        body = (unit * (20000 // len(unit) + 1))[:20000]
        for i in range(n):
            f.write(f"{i},{body}\n")
long_rows(6000, os.path.join(d, "long6k.csv"))
long_rows(20000, os.path.join(d, "long20k.csv"))
with open(os.path.join(d, "line50m.txt"), "w", encoding="utf-8") as f:
    f.write("还" * (50 * 1024 * 1024 // 3))
with open(os.path.join(d, "field50m.csv"), "w", encoding="utf-8") as f:
    f.write('id,text\n1,"' + "还" * (50 * 1024 * 1024 // 3) + '"\n2,还钱\n')
texts = ["再不还钱明天就去你单位找你领导", "您的借款今日到期，请按时还款", "今晚一起吃饭吗", "把你P成遗照发到你家族群"]
with open(os.path.join(d, "phone600k.csv"), "w", encoding="utf-8") as f:
    f.write("id,sender,time,text\n")
    for i in range(600_000):
        f.write(f"{i},1380000{i % 5000:04d},2025-03-{1 + i % 28:02d} 10:00,{texts[i % 4]}第{i}条\n")
PY
peak() { # label, then the command; prints the peak resident set in MB
  local label="$1"; shift
  local kb
  kb=$( ( /usr/bin/time -v "$@" >/dev/null ) 2>&1 | awk '/Maximum resident set size/ {print $6}'; true)
  printf '%-58s %6d MB\n' "$label" $((kb / 1024))
}
peak "classify 6,000 records of 20,000 characters" "$bin" classify "$dir/long6k.csv" -o "$dir/o.csv" -q
peak "classify 20,000 records of 20,000 characters" "$bin" classify "$dir/long20k.csv" -o "$dir/o.csv" -q
peak "classify a 50 MB line with no newline (txt)" "$bin" classify "$dir/line50m.txt" -o "$dir/o.csv" -q
peak "classify a 50 MB quoted CSV field" "$bin" classify "$dir/field50m.csv" -o "$dir/o.csv" -q
peak "classify /dev/zero --format txt for 20 s" timeout 20 "$bin" classify /dev/zero --format txt -o "$dir/o.csv" -q
peak "report evidence over 600,000 rows (5,000 senders)" "$bin" report evidence "$dir/phone600k.csv" -o "$dir/e.html" -q
peak "report scan over 600,000 rows" "$bin" report scan "$dir/phone600k.csv" -o "$dir/s.html" -q
