// The contact sheet of gallery.h: a grid of nearest-neighbour scaled images, each with a caption
// drawn in stb_easy_font's bitmap font.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "dgnam/error.h"
#include "dgnam/gallery.h"

// stb is third-party code written for C; its warnings are not ours to fix.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb_easy_font.h>
#pragma GCC diagnostic pop

namespace dgnam {
namespace {

constexpr int kPad = 4;              // white margin around each cell
constexpr int kFontLineHeight = 12;  // stb_easy_font's line height in font pixels
constexpr std::uint8_t kBackground = 255;
constexpr std::uint8_t kInk = 32;

// The bitmap font is 1 px per font pixel; large cells get it doubled so captions stay legible.
int font_scale(int cell) {
    return cell >= 192 ? 2 : 1;
}

struct Layout {
    int columns;
    int rows;
    int cell;
    int scale;
    int box_width;   // cell plus margins
    int box_height;  // cell, caption and margins
};

Layout make_layout(std::size_t count, int columns, int cell) {
    Layout l{};
    l.columns = static_cast<int>(std::min<std::size_t>(count, static_cast<std::size_t>(columns)));
    l.rows = static_cast<int>((count + l.columns - 1) / l.columns);
    l.cell = cell;
    l.scale = font_scale(cell);
    l.box_width = cell + 2 * kPad;
    l.box_height = cell + kFontLineHeight * l.scale + 3 * kPad;
    return l;
}

void check_image(const GalleryItem& item) {
    const auto expected = static_cast<std::size_t>(std::max(item.image.width, 0)) *
                          static_cast<std::size_t>(std::max(item.image.height, 0)) * 3;
    if (item.image.empty() || item.image.rgb.size() != expected) {
        throw Error("The image of layer '" + item.layer + "' unit " + std::to_string(item.unit) +
                    " is empty or its pixel data does not match its size.");
    }
}

void blit_scaled(const Image8& source, Image8& sheet, int left, int top, int cell) {
    for (int y = 0; y < cell; ++y) {
        const int sy = static_cast<int>(static_cast<std::int64_t>(y) * source.height / cell);
        for (int x = 0; x < cell; ++x) {
            const int sx = static_cast<int>(static_cast<std::int64_t>(x) * source.width / cell);
            std::memcpy(sheet.pixel(left + x, top + y), source.pixel(sx, sy), 3);
        }
    }
}

// stb_easy_font indexes a table by character code and knows only printable ASCII, so anything
// else (control characters, each UTF-8 sequence) becomes one '?'.
std::string printable_ascii(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 32 && byte < 127) {
            out.push_back(c);
        } else if (byte < 0x80 || byte >= 0xC0) {
            out.push_back('?');  // continuation bytes 0x80..0xBF belong to the previous '?'
        }
    }
    return out;
}

int text_width(std::string text, int scale) {
    return stb_easy_font_width(text.data()) * scale;
}

std::string fit_caption(std::string text, int width, int scale) {
    if (text_width(text, scale) <= width) {
        return text;
    }
    while (!text.empty() && (text_width(text + "..", scale) > width || text.back() == ' ')) {
        text.pop_back();
    }
    return text + "..";
}

void fill_rect(Image8& image, int x0, int y0, int x1, int y1, std::uint8_t value) {
    x0 = std::max(x0, 0);
    y0 = std::max(y0, 0);
    x1 = std::min(x1, image.width);
    y1 = std::min(y1, image.height);
    for (int y = y0; y < y1; ++y) {
        for (int x = x0; x < x1; ++x) {
            std::memset(image.pixel(x, y), value, 3);
        }
    }
}

// stb_easy_font emits axis-aligned quads (4 vertices of x, y, z floats and 4 colour bytes);
// filling each quad's bounding box renders the text exactly.
void draw_text(Image8& image, const std::string& text, int left, int top, int scale) {
    constexpr int kVertexBytes = 16;
    std::string mutable_text = text;
    std::vector<char> vertices(text.size() * 400 + 64);
    const int quads = stb_easy_font_print(0, 0, mutable_text.data(), nullptr, vertices.data(),
                                          static_cast<int>(vertices.size()));
    for (int q = 0; q < quads; ++q) {
        float min_x = 1e9f, min_y = 1e9f, max_x = -1e9f, max_y = -1e9f;
        for (int v = 0; v < 4; ++v) {
            float xy[2];
            std::memcpy(xy, &vertices[(q * 4 + v) * kVertexBytes], sizeof xy);
            min_x = std::min(min_x, xy[0]);
            max_x = std::max(max_x, xy[0]);
            min_y = std::min(min_y, xy[1]);
            max_y = std::max(max_y, xy[1]);
        }
        fill_rect(image, left + static_cast<int>(min_x) * scale,
                  top + static_cast<int>(min_y) * scale, left + static_cast<int>(max_x) * scale,
                  top + static_cast<int>(max_y) * scale, kInk);
    }
}

std::string caption_of(const GalleryItem& item) {
    std::string caption = std::to_string(item.unit);
    if (item.label) {
        caption += " " + *item.label;
    }
    return printable_ascii(caption);
}

}  // namespace

Image8 make_contact_sheet(const std::vector<GalleryItem>& items, int columns, int cell) {
    if (columns < 1 || cell < 1) {
        throw Error(
            "A contact sheet needs at least one column and cells of at least one pixel (got " +
            std::to_string(columns) + " columns of " + std::to_string(cell) + " px).");
    }
    if (items.empty()) {
        return {};
    }
    const Layout layout = make_layout(items.size(), columns, cell);
    Image8 sheet(layout.columns * layout.box_width, layout.rows * layout.box_height);
    std::fill(sheet.rgb.begin(), sheet.rgb.end(), kBackground);
    for (std::size_t i = 0; i < items.size(); ++i) {
        check_image(items[i]);
        const int left = static_cast<int>(i % layout.columns) * layout.box_width + kPad;
        const int top = static_cast<int>(i / layout.columns) * layout.box_height + kPad;
        blit_scaled(items[i].image, sheet, left, top, cell);
        const std::string caption = fit_caption(caption_of(items[i]), cell, layout.scale);
        draw_text(sheet, caption, left, top + cell + kPad, layout.scale);
    }
    return sheet;
}

}  // namespace dgnam
