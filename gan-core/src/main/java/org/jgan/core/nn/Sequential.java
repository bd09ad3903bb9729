package org.jgan.core.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jgan.core.tensor.Tensor;

/** Layers applied in order; they are registered as children {@code "0"}, {@code "1"}, ... */
public final class Sequential extends Layer {
  private final List<Layer> layers = new ArrayList<>();

  /** A sequence of layers. */
  public Sequential(Layer... layers) {
    for (Layer l : layers) {
      add(l);
    }
  }

  /** Appends a layer. */
  public Sequential add(Layer layer) {
    layers.add(child(Integer.toString(layers.size()), layer));
    return this;
  }

  /** The layers, in order. */
  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  @Override
  public Tensor forward(Tensor x) {
    for (Layer l : layers) {
      x = l.forward(x);
    }
    return x;
  }
}
