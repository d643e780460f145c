#!/bin/sh
# placeholder, being written (issue #4)
echo "not written yet"; exit 77
