// kling-edge/mp4's published types: the documented usage type-checks, the mistakes do not.
import { type ClipSource, init, type JoinPlan, join, joinStream, KlingError, type KlingMp4ErrorCode, plan } from "kling-edge/mp4";

export async function usage(clips: Uint8Array[], sources: ClipSource[], moov: Uint8Array): Promise<void> {
  await init();
  const out: Uint8Array = join(clips);
  const p: JoinPlan = plan([{ size: 1000, moov }]);
  const first: number = p.pieces[0].clip + p.pieces[0].offset + p.pieces[0].length + p.size + out.length;
  const joined = await joinStream(sources);
  const body: ReadableStream<Uint8Array> = joined.stream(0, joined.size);
  const whole: ReadableStream<Uint8Array> = joined.stream();
  const head: Uint8Array = joined.header;
  try {
    join(clips);
  } catch (e) {
    if (e instanceof KlingError) {
      const code: string = e.code;
      const mine: KlingMp4ErrorCode = "ERR_KLING_MP4_INCOMPATIBLE";
      void [code, mine];
    }
  }
  void [first, body, whole, head];

  // @ts-expect-error: clips are bytes, not paths
  join(["a.mp4"]);
  // @ts-expect-error: a header needs the clip's size
  plan([{ moov }]);
  // @ts-expect-error: a source reads by ranges
  await joinStream([{ size: 1 }]);
}
