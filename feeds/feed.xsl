<?xml version="1.0" encoding="utf-8"?>
<!-- Shows a feed in a browser as a page (feedwright). Feed readers ignore it. -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
  <xsl:template match="/">
    <xsl:variable name="rss" select="/rss/channel"/>
    <xsl:variable name="title" select="$rss/title | /atom:feed/atom:title"/>
    <xsl:variable name="home" select="$rss/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
    <xsl:variable name="own" select="$rss/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>
    <html>
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <style>body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f;background:#fff}header{border-bottom:1px solid #ddd;margin-bottom:1.5rem}.badge{display:inline-block;background:#f26522;color:#fff;border-radius:4px;padding:0 .5rem;font-size:.8rem;font-weight:600;text-transform:uppercase;letter-spacing:.05em}h1{margin:.3rem 0}.how{background:#fff7e6;border:1px solid #ffd591;border-radius:6px;padding:.75rem 1rem}.how code{display:block;word-break:break-all;margin-top:.4rem;font-size:.9rem}ol{list-style:none;padding:0}li{margin:0 0 1.5rem}li h2{font-size:1.15rem;margin:0}time{color:#666;font-size:.85rem}.summary{margin:.3rem 0 0}.summary img{max-width:100%;height:auto}</style>
      </head>
      <body>
        <header>
          <span class="badge">Feed</span>
          <h1><a href="{$home}"><xsl:value-of select="$title"/></a></h1>
          <p><xsl:value-of select="$rss/description | /atom:feed/atom:subtitle"/></p>
          <p class="how">This is a web feed. To follow <a href="{$home}"><xsl:value-of select="$title"/></a>, copy this address into your feed reader:<code><xsl:value-of select="$own"/></code></p>
        </header>
        <main>
          <ol>
            <xsl:for-each select="$rss/item">
              <li>
                <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
                <time><xsl:value-of select="substring(pubDate, 1, string-length(pubDate) - 15)"/></time>
                <div class="summary"><xsl:value-of select="description" disable-output-escaping="yes"/></div>
              </li>
            </xsl:for-each>
            <xsl:for-each select="/atom:feed/atom:entry">
              <li>
                <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
                <time><xsl:value-of select="substring(atom:published | atom:updated[not(../atom:published)], 1, 10)"/></time>
                <div class="summary">
                  <xsl:choose>
                    <xsl:when test="atom:summary"><xsl:value-of select="atom:summary" disable-output-escaping="yes"/></xsl:when>
                    <xsl:otherwise><xsl:value-of select="atom:content" disable-output-escaping="yes"/></xsl:otherwise>
                  </xsl:choose>
                </div>
              </li>
            </xsl:for-each>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
