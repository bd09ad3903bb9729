package org.jgan.train.loop;

/**
 * What one step measured. Regulariser values are NaN on steps where they did not run.
 *
 * @param step index of the step (0-based)
 * @param imagesSeen real images shown so far, this step included
 * @param resolution stage resolution
 * @param alpha fade-in weight
 * @param lossD discriminator's adversarial loss (plus WGAN-GP terms)
 * @param lossG generator's adversarial loss
 * @param r1 R1 penalty (before the lazy interval factor)
 * @param pathLength path-length penalty (before the interval factor)
 * @param modeSeeking the mode-seeking term of the generator's loss (NaN when off)
 * @param dReal mean logit on real images
 * @param dFake mean logit on generated images (discriminator phase)
 * @param gradNormD discriminator's gradient norm in its main phase
 * @param gradNormG generator's gradient norm in its main phase
 * @param augmentP ADA's probability after the step (NaN without ADA)
 * @param adaRt ADA's last mean sign of D's outputs on reals (NaN before its first adjustment)
 * @param seconds wall time of the step
 */
public record StepStats(
    long step,
    long imagesSeen,
    int resolution,
    double alpha,
    double lossD,
    double lossG,
    double r1,
    double pathLength,
    double modeSeeking,
    double dReal,
    double dFake,
    double gradNormD,
    double gradNormG,
    double augmentP,
    double adaRt,
    double seconds) {}
