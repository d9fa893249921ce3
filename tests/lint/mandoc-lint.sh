#!/bin/sh
# Fails when mandoc -Tlint reports anything at warning level or above.
# (-W warning also reports "style" notes we accept: base system/OS markers.)
page="$1"
out=$(mandoc -Tlint -W warning "$page" 2>&1)
status=$?
if [ -n "$out" ] || [ $status -ne 0 ]; then
  echo "$out"
  exit 1
fi
echo "$page: clean"
