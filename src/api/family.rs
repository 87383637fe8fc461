//! The task families: their names and paths.

use crate::api::http::encode_segment;

/// The task families this client speaks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// `/v1/videos/video-extend`.
    VideoExtend,
    /// `/v1/videos/text2video`.
    TextToVideo,
    /// `/v1/videos/image2video`.
    ImageToVideo,
    /// `/v1/videos/omni-video`.
    OmniVideo,
}

impl Family {
    /// Every family.
    pub const ALL: [Family; 4] = [
        Family::VideoExtend,
        Family::TextToVideo,
        Family::ImageToVideo,
        Family::OmniVideo,
    ];

    /// The family by its path's last segment: `video-extend`, `text2video`, `image2video`,
    /// `omni-video`.
    pub fn from_name(name: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The path's last segment.
    pub fn name(self) -> &'static str {
        match self {
            Family::VideoExtend => "video-extend",
            Family::TextToVideo => "text2video",
            Family::ImageToVideo => "image2video",
            Family::OmniVideo => "omni-video",
        }
    }

    /// The endpoint's path.
    pub fn path(self) -> &'static str {
        match self {
            Family::VideoExtend => "/v1/videos/video-extend",
            Family::TextToVideo => "/v1/videos/text2video",
            Family::ImageToVideo => "/v1/videos/image2video",
            Family::OmniVideo => "/v1/videos/omni-video",
        }
    }

    /// The path of one task, by task id or external task id.
    pub fn task_path(self, id: &str) -> String {
        format!("{}/{}", self.path(), encode_segment(id))
    }
}
