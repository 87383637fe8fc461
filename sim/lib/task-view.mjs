// The JSON shapes of a task, as the official reference shows them, and what a task costs.
import { formatDuration, mediaPath } from "./videos.mjs";

/** `data` of a create response. */
export function createdView(task) {
  return {
    task_id: task.id,
    task_status: task.status,
    task_info: externalInfo(task),
    created_at: task.createdAt,
    updated_at: task.updatedAt,
  };
}

/** `data` of a query, a list item, and a callback body. */
export function taskView(task, baseUrl) {
  const taskInfo = externalInfo(task);
  if (task.parentVideo) {
    taskInfo.parent_video = {
      id: task.parentVideo.id,
      url: baseUrl + mediaPath(task.parentVideo),
      duration: formatDuration(task.parentVideo.duration),
    };
  }
  const view = {
    task_id: task.id,
    task_status: task.status,
    task_status_msg: task.statusMsg,
    task_info: taskInfo,
  };
  if (task.status === "succeed") view.task_result = { videos: [resultVideoView(task, baseUrl)] };
  view.watermark_info = { enabled: task.params.watermark };
  if (task.status === "succeed") view.final_unit_deduction = unitDeduction(task);
  view.created_at = task.createdAt;
  view.updated_at = task.updatedAt;
  return view;
}

// external_task_id is omitted when the caller gave none (clients must treat it as optional).
function externalInfo(task) {
  return task.externalTaskId ? { external_task_id: task.externalTaskId } : {};
}

function resultVideoView(task, baseUrl) {
  const video = task.resultVideo;
  const view = { id: video.id, url: baseUrl + mediaPath(video) };
  if (task.params.watermark) view.watermark_url = baseUrl + mediaPath(video, true);
  view.duration = formatDuration(video.duration);
  return view;
}

/**
 * Units charged, per Kling's published costs: an extension of a kling-v1 source costs 1 (std),
 * of a v1.5/v1.6 source 2 (std); pro is 3.5 either way. Generations use the same base per 5 s
 * (5 s: the base, 10 s: double; today's 3–15 s in proportion, to 0.1 unit — the simulator's
 * placeholder, not Kling's price list). Only successful tasks are charged. (kling-v1 no longer
 * generates and its videos are all purged, so only tasks of the other models reach this today.)
 */
function unitDeduction(task) {
  const base = task.mode === "pro" ? 3.5 : task.model === "kling-v1" ? 1 : 2;
  const factor = task.family === "video-extend" ? 1 : task.resultVideo.duration / 5;
  return String(Math.round(base * factor * 10) / 10);
}
