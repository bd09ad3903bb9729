package org.jgan.train.loop;

/** How a conditional generator's labels are drawn during training. */
public enum LabelSampling {
  /** Every class equally often. */
  UNIFORM,
  /** As often as the class occurs in the data. */
  DATA
}
