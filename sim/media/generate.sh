#!/usr/bin/env bash
# Regenerates the tiny H.264 clips the simulator serves as "generated videos".
# The outputs are committed, so this only needs running when the clips change.
# ffmpeg comes from PyPI (imageio-ffmpeg ships a static build), because the
# project machines reach only package registries.
set -euo pipefail
cd "$(dirname "$0")"

if ! python3 -c 'import imageio_ffmpeg' 2>/dev/null; then
  pip install --quiet imageio-ffmpeg
fi
FFMPEG="$(python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')"

# 160x90, 10 fps, 5 s, no audio, yuv420p + baseline profile so every browser plays
# it, faststart so the moov atom comes first and a ranged/progressive load works.
encode() {
  local source="$1" out="$2"
  "$FFMPEG" -hide_banner -loglevel error -y -f lavfi -i "$source" -t 5 -an \
    -c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 35 -g 50 \
    -movflags +faststart "$out"
}

encode "testsrc=size=160x90:rate=10" clip-a.mp4
encode "smptebars=size=160x90:rate=10" clip-b.mp4
encode "color=c=0x2a6fdb:size=160x90:rate=10,drawbox=x='mod(t*40,160)':y=30:w=30:h=30:color=yellow:t=fill" clip-c.mp4

ls -l clip-*.mp4
