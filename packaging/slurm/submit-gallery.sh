#!/usr/bin/env bash
# Submits a whole gallery to Slurm: N shard tasks, then the merge into OUT_DIR/merged once all
# of them succeeded. Prints the two job ids.
#   packaging/slurm/submit-gallery.sh N OUT_DIR [dgnam synthesize options]
# Example: submit-gallery.sh 32 /scratch/conv5 --layer conv5 --units all --batch 8
# Set DGNAM to the dgnam binary's path if it is not on the nodes' PATH.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
count=${1:?usage: submit-gallery.sh N OUT_DIR [dgnam synthesize options]}
out=${2:?usage: submit-gallery.sh N OUT_DIR [dgnam synthesize options]}
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)
array=$(sbatch --parsable --array="1-$count" --chdir="$out" \
    --export="ALL,DGNAM=${DGNAM:-dgnam}" "$here/gallery-array.sbatch" "$out" "$@")
shards=()
for ((k = 1; k <= count; ++k)); do shards+=("$out/shard-$k"); done
merge=$(sbatch --parsable --dependency="afterok:$array" --chdir="$out" \
    --job-name=dgnam-gallery-merge --output="$out/dgnam-gallery-merge-%j.log" \
    --wrap="'${DGNAM:-dgnam}' gallery merge --force --out '$out/merged' ${shards[*]}")
echo "array job $array, merge job $merge: the gallery will be in $out/merged"
