#version 330 core
// Colours one fragment of the image quad: a contrast stretch of the RGB8 texel and, at high
// zoom, a thin grid between texels. Nearest or linear filtering is texture state, not chosen here.

in vec2 v_uv;

uniform sampler2D u_image;
uniform vec2 u_stretch;         // (low, high) in [0,1]: out = clamp((v - low) / (high - low))
uniform float u_grid_strength;  // 0 turns the grid off; 1 draws it at full opacity

out vec4 frag_color;

// Below this many screen pixels per texel the grid would cover the picture, so it fades in
// between the two values.
const float kGridFadeStart = 6.0;
const float kGridFadeEnd = 10.0;

void main() {
    vec3 value = texture(u_image, v_uv).rgb;
    // A range narrower than one 8-bit step would divide by (almost) zero.
    float span = max(u_stretch.y - u_stretch.x, 1.0 / 255.0);
    vec3 colour = clamp((value - u_stretch.x) / span, 0.0, 1.0);

    if (u_grid_strength > 0.0) {
        // Texel coordinates: texel borders lie on whole numbers. fwidth gives texels per
        // screen pixel, so distances below are in screen pixels and the line stays one screen
        // pixel wide at every zoom.
        vec2 texel = v_uv * vec2(textureSize(u_image, 0));
        vec2 texels_per_pixel = fwidth(texel);
        vec2 pixels_per_texel = 1.0 / max(texels_per_pixel, vec2(1e-6));
        float visibility = smoothstep(kGridFadeStart, kGridFadeEnd,
                                      min(pixels_per_texel.x, pixels_per_texel.y));
        vec2 distance_px = abs(texel - round(texel)) * pixels_per_texel;
        float on_line = 1.0 - clamp(min(distance_px.x, distance_px.y), 0.0, 1.0);
        // Dark lines over bright texels, bright lines over dark ones, so the grid shows on both.
        float luminance = dot(colour, vec3(0.299, 0.587, 0.114));
        vec3 line_colour = luminance > 0.5 ? vec3(0.0) : vec3(1.0);
        colour = mix(colour, line_colour, on_line * visibility * clamp(u_grid_strength, 0.0, 1.0));
    }
    frag_color = vec4(colour, 1.0);
}
