/* PLACEHOLDER for the render stage (issue 3). */
int svg_placeholder_;
