#!/usr/bin/env bash
# Regenerates the small clips that kling-edge/mp4's tests join. The outputs are committed, so this
# only needs running when the clips change. ffmpeg comes from PyPI (imageio-ffmpeg ships a static
# build), because the project machines reach only package registries.
#
# Like Kling's clips of one model, mode and aspect ratio, the joinable ones share their codec
# settings: H.264 High profile with B-frames (x264's defaults, as real encoders write them: a
# `ctts` and an edit list), 320x180, 24 fps, and AAC (44.1 kHz mono) when they have sound. Each
# is one solid colour with a white bar that moves 4 px a frame (a frame counter that needs no
# font). Some are faststart (moov first) and some keep the moov at the end, as both occur.
#
#   a-3s.mp4  red,    3 s, AAC, faststart        s-3s.mp4  grey,   3 s, no audio, faststart
#   b-5s.mp4  green,  5 s, AAC, moov at the end  s-5s.mp4  purple, 5 s, no audio, moov at the end
#   c-10s.mp4 blue,  10 s, AAC, faststart        base-3s.mp4, base-5s.mp4: Baseline profile, no
#                                                B-frames, no audio
# Clips that must be refused when joined with a-3s.mp4:
#   x-size.mp4    480x270 (other resolution)
#   x-main.mp4    Main profile (other codec settings: avcC differs)
#   x-48k.mp4     AAC at 48 kHz (other audio settings)
#   s-3s.mp4      no audio track (audio vs no audio)
set -euo pipefail
cd "$(dirname "$0")"

if ! python3 -c 'import imageio_ffmpeg' 2>/dev/null; then
  pip install --quiet imageio-ffmpeg
fi
FFMPEG="$(python3 -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')"

# clip OUT COLOUR SECONDS [options]: --size WxH, --profile P, --audio RATE|none, --moov-at-end
clip() {
  local out="$1" colour="$2" seconds="$3"
  shift 3
  local size=320x180 profile=high rate=44100 faststart=(-movflags +faststart)
  while [ $# -gt 0 ]; do
    case "$1" in
      --size) size="$2"; shift 2 ;;
      --profile) profile="$2"; shift 2 ;;
      --audio) rate="$2"; shift 2 ;;
      --moov-at-end) faststart=(); shift ;;
      *) echo "generate.sh: unknown option $1" >&2; exit 2 ;;
    esac
  done
  local width=${size%x*}
  local height=${size#*x}
  local video="color=c=${colour}:size=${size}:rate=24[bg];color=c=white:size=8x${height}:rate=24[bar];[bg][bar]overlay=x='mod(n*4,${width})':y=0:shortest=1"
  local inputs=(-f lavfi -i "$video")
  local audio=(-an)
  if [ "$rate" != none ]; then
    inputs+=(-f lavfi -i "sine=frequency=440:sample_rate=${rate}")
    audio=(-c:a aac -b:a 24k -ac 1)
  fi
  local x264=(-c:v libx264 -profile:v "$profile" -pix_fmt yuv420p -crf 40 -g 48 -bf 2)
  [ "$profile" = baseline ] && x264=(-c:v libx264 -profile:v baseline -pix_fmt yuv420p -crf 40 -g 48)
  "$FFMPEG" -hide_banner -loglevel error -y "${inputs[@]}" -t "$seconds" \
    "${x264[@]}" "${audio[@]}" "${faststart[@]}" -map_metadata -1 -fflags +bitexact "$out"
}

clip a-3s.mp4 red 3
clip b-5s.mp4 green 5 --moov-at-end
clip c-10s.mp4 blue 10
clip s-3s.mp4 gray 3 --audio none
clip s-5s.mp4 purple 5 --audio none --moov-at-end
clip base-3s.mp4 orange 3 --audio none --profile baseline
clip base-5s.mp4 teal 5 --audio none --profile baseline
clip x-size.mp4 red 3 --size 480x270
clip x-main.mp4 red 3 --profile main
clip x-48k.mp4 red 3 --audio 48000

ls -l ./*.mp4
du -ch ./*.mp4 | tail -n 1
