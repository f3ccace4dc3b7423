#include "thumbnail_cache.h"

namespace dgnam::live {

const GlTexture& ThumbnailCache::texture_for(const UnitResult& result) {
    Entry& entry = entries_[{result.classifier, result.layer, result.unit}];
    if (!entry.texture || entry.run_id != result.run_id) {
        entry.texture.upload(result.image);
        entry.run_id = result.run_id;
    }
    return entry.texture;
}

}  // namespace dgnam::live
