#!/usr/bin/env bash
# Builds cnn4j-spark and runs io.cnn4j.spark.SparkExample (Spark local mode by default; pass a
# master URL as the first argument). Spark 4 on Java 17 needs the --add-opens flags in the pom.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
(cd "$root" && mvn -q -B -pl cnn4j-spark -am package -DskipTests dependency:build-classpath -Dmdep.outputFile="$cp_file" >&2)
opens="$(sed -n 's:.*<spark.jvm.opens>\(.*\)</spark.jvm.opens>.*:\1:p' "$here/pom.xml")"
# shellcheck disable=SC2086 # the flags are separate words
SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}" java $opens --add-modules jdk.incubator.vector \
    -cp "$here/target/classes:$(cat "$cp_file")" io.cnn4j.spark.SparkExample "$@"
