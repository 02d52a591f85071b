/**
 * The Metaflow UI as one jakarta servlet: {@link io.github.metaflowui.servlet.MetaflowUiServlet}
 * (UI page, hashed assets, JSON API), its {@link io.github.metaflowui.servlet.MetaflowUiOptions} and
 * the pluggable {@link io.github.metaflowui.servlet.AccessPolicy}. Everything in the
 * {@code internal} sub-package is implementation detail.
 */
package io.github.metaflowui.servlet;
