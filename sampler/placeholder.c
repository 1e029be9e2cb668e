/* PLACEHOLDER for the sampler stage (issue 4). */
int smp_placeholder_;
