#version 330 core
// One textured quad holding the image. The quad's corners arrive as (0,0)..(1,1); they are
// scaled to image pixel coordinates (origin at the image's top-left corner, y down) and then
// mapped to clip space by a scale and an offset, so zoom and pan are uniforms and the vertex
// buffer never changes. ViewTransform::image_to_clip computes u_image_to_clip.

layout(location = 0) in vec2 a_corner;

uniform vec2 u_image_size;     // image width and height in pixels
uniform vec4 u_image_to_clip;  // (scale x, scale y, offset x, offset y): clip = pixel*scale+offset

out vec2 v_uv;  // texture coordinates; row 0 of the texture is the image's top row

void main() {
    v_uv = a_corner;
    vec2 pixel = a_corner * u_image_size;
    gl_Position = vec4(pixel * u_image_to_clip.xy + u_image_to_clip.zw, 0.0, 1.0);
}
