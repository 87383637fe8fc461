#!/usr/bin/env bash
# Regenerates the tiny H.264 clips the simulator serves as "generated videos".
# The outputs are committed, so this only needs running when the clips change.
# ffmpeg comes from PyPI (imageio-ffmpeg ships a static build), because the
# project machines reach only package registries.
#
# Two sets:
# - clip-{a,b,c}.mp4: the seeded samples and video-extend results (160x90, 10 fps, 5 s, no audio).
# - gen/: the results of text2video, image2video and omni-video tasks, one clip per
#   aspect ratio x duration (3..15 s) x palette colour, with and without an AAC track, plus
#   gen/odd-*: clips of other settings that cannot be joined to the rest (the mismatch switch).
#   Every clip of one aspect ratio shares its codec settings (resolution, H.264 High, 12 fps,
#   same x264 options; mono 16 kHz AAC when it has sound), as Kling's clips of one model, mode and
#   aspect ratio do, so they can be joined by a remux. sim/test/media-clips.test.mjs holds them to it.
#
# Usage: sim/media/generate.sh [samples] [gen]   (both when no set is named)
set -euo pipefail
cd "$(dirname "$0")"
SETS="${*:-samples gen}"

if ! python3 -c 'import imageio_ffmpeg' 2>/dev/null; then
  python3 -m pip install --quiet "imageio-ffmpeg==0.8.1" # the version scripts/bootstrap installs
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

if [[ " $SETS " == *" samples "* ]]; then
  encode "testsrc=size=160x90:rate=10" clip-a.mp4
  encode "smptebars=size=160x90:rate=10" clip-b.mp4
  encode "color=c=0x2a6fdb:size=160x90:rate=10,drawbox=x='mod(t*40,160)':y=30:w=30:h=30:color=yellow:t=fill" clip-c.mp4
  ls -l clip-*.mp4
fi
[[ " $SETS " == *" gen "* ]] || exit 0

# --- gen/: one clip per task shape -------------------------------------------------------------
FPS=12
# Palette: consecutive tasks take consecutive colours (sim/lib/clips.mjs), each with its own tone.
COLOURS=(0x2a6fdb 0xdb6f2a 0x2adb6f)
TONES=(440 554 659)
# Aspect ratio → file prefix and size. The odd set is 16:9 at another size: not joinable.
declare -A SIZES=([16x9]=160x90 [9x16]=90x160 [1x1]=120x120 [odd]=192x108)

# A solid colour, a white square crossing the frame (4 px a frame) and an 8-bit frame counter
# (black squares along the top, bit 0 on the left); with sound, a 0.15 s beep each second.
gen_clip() {
  local out="$1" size="$2" seconds="$3" colour="$4" tone="$5" sound="$6"
  local w="${size%x*}" h="${size#*x}"
  local video="color=c=${colour}:size=${size}:rate=${FPS},drawbox=x='mod(t*${FPS}*4,${w})':y=$((h / 2 - 4)):w=8:h=8:color=white:t=fill"
  for bit in 0 1 2 3 4 5 6 7; do
    video+=",drawbox=x=$((2 + bit * 8)):y=2:w=6:h=6:color=black:t=fill:enable='mod(floor(n/$((1 << bit))),2)'"
  done
  local inputs=(-f lavfi -i "$video") audio=(-an)
  if [ "$sound" = 1 ]; then
    inputs+=(-f lavfi -i "sine=frequency=${tone}:sample_rate=16000,volume=enable='gt(mod(t,1),0.15)':volume=0")
    audio=(-c:a aac -b:a 8k -ac 1 -ar 16000)
  fi
  # -threads 1 and bitexact: the same bytes on every run, so regenerating leaves git clean.
  "$FFMPEG" -hide_banner -loglevel error -y "${inputs[@]}" -t "$seconds" \
    -c:v libx264 -profile:v high -pix_fmt yuv420p -preset medium -crf 40 -g $((FPS * 2)) -threads 1 \
    "${audio[@]}" -map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
    -movflags +faststart "$out"
}

rm -rf gen && mkdir gen
for ratio in 16x9 9x16 1x1; do
  for seconds in $(seq 3 15); do
    for i in "${!COLOURS[@]}"; do
      name="gen/${ratio}-$(printf %02d "$seconds")s-c${i}"
      gen_clip "$name.mp4" "${SIZES[$ratio]}" "$seconds" "${COLOURS[$i]}" "${TONES[$i]}" 0
      gen_clip "$name-aac.mp4" "${SIZES[$ratio]}" "$seconds" "${COLOURS[$i]}" "${TONES[$i]}" 1
    done
  done
done
for seconds in $(seq 3 15); do
  name="gen/odd-$(printf %02d "$seconds")s"
  gen_clip "$name.mp4" "${SIZES[odd]}" "$seconds" 0x808080 330 0
  gen_clip "$name-aac.mp4" "${SIZES[odd]}" "$seconds" 0x808080 330 1
done

echo "gen/: $(find gen -name '*.mp4' | wc -l) clips, $(cat gen/*.mp4 | wc -c) bytes"
