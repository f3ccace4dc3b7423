#pragma once
// GL textures of the finished units' images for the thumbnail strip, made once per result and
// remade only when a newer run of the same unit replaces it.
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "dgnam/worker.h"
#include "gl_objects.h"

namespace dgnam::live {

class ThumbnailCache {
  public:
    // The texture showing `result`'s image (uploaded on first use).
    const GlTexture& texture_for(const UnitResult& result);
    void clear() { entries_.clear(); }

  private:
    struct Entry {
        std::uint64_t run_id = 0;
        GlTexture texture;
    };
    std::map<std::tuple<std::string, std::string, std::int64_t>, Entry> entries_;
};

}  // namespace dgnam::live
