#include "emulator/service_auth.h"

#include <gtest/gtest.h>

namespace lmcp::emulator {
namespace {

TEST(SignatureRefusalTest, NamedCodeWithItsMessage) {
  SignatureRefusal r = RefusalFor("ExpiredTokenException:  Signature expired: 20240101T000000Z");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code, "ExpiredTokenException");
  EXPECT_EQ(r.message, "Signature expired: 20240101T000000Z");
}

TEST(SignatureRefusalTest, IncompleteSignatureIs400) {
  SignatureRefusal r = RefusalFor("IncompleteSignatureException: Authorization header requires 'Credential'");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.code, "IncompleteSignatureException");
  EXPECT_EQ(r.message, "Authorization header requires 'Credential'");
}

TEST(SignatureRefusalTest, CodeNamedInsideTheMessageKeepsTheWholeText) {
  SignatureRefusal r = RefusalFor("prefix AccessDeniedException: denied");
  EXPECT_EQ(r.code, "AccessDeniedException");
  EXPECT_EQ(r.message, "denied");
  r = RefusalFor("MissingAuthenticationTokenExceptionX: y");  // no colon right after the code
  EXPECT_EQ(r.code, "MissingAuthenticationTokenException");
  EXPECT_EQ(r.message, "MissingAuthenticationTokenExceptionX: y");
}

TEST(SignatureRefusalTest, UnknownKeyGetsAwsWordingUnlessItMentionsTheToken) {
  EXPECT_EQ(RefusalFor("UnrecognizedClientException: no such key AKID").message,
            "The security token included in the request is invalid.");
  EXPECT_EQ(RefusalFor("UnrecognizedClientException: the token is bad").message, "the token is bad");
}

TEST(SignatureRefusalTest, UnnamedFailureIsAnInvalidSignature) {
  SignatureRefusal r = RefusalFor("something else entirely");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.code, "InvalidSignatureException");
  EXPECT_EQ(r.message, "something else entirely");
}

}  // namespace
}  // namespace lmcp::emulator
